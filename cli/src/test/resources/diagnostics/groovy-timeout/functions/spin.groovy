def spin() {
    while (true) {
    }
}
