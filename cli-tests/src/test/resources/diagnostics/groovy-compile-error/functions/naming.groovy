def label(n) {
    return 'z' + 
}
