def finish() {
    System.exit(0)
}
