# Shared by the bench scripts (sourced): medians and ranges of the timings they append, one run per
# line ("wall cpu ..."), to files under $work.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# col FILE N: the median of column N of $work/FILE
col() { cut -d' ' -f"$2" "$work/$1" | median; }
# range FILE: the lowest and highest wall time of $work/FILE
range() { cut -d' ' -f1 "$work/$1" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s s", lo, hi }'; }
