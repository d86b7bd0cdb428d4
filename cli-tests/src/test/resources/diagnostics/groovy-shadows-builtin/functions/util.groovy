def upper(s) {
    return s
}
