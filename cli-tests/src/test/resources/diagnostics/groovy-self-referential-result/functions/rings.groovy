def ring() {
    def list = []
    list.add(list)
    return list
}
