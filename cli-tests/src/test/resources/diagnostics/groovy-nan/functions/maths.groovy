def ratio(n) {
    return 0.0d / n
}
