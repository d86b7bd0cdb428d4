// Fleet-specific helpers, callable from the .fleet files by name.

/** The label ops dashboards group shards by: "s001".."s040" sort as text. */
def zone_label(index) {
    return String.format("s%03d", index as int)
}
