# The label of each side of sides.csv, one a line, in order.
FNR == 1 { csv_header($0, col); next }
{ csv_split($0, f); print f[col["label"]] }
