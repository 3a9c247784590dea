# SPDX-License-Identifier: GPL-2.0
#
# The scaling plot of `make bench`: latency per call against the number of
# existing contexts (or xfrm SAs), both axes logarithmic.
#
#   gnuplot -e "csv='build/bench/bench.csv'; out='build/bench/bench.png'" bench/plot.gp
#
# The CSV is long-form (section,series,x,stat,value,unit); each curve is
# the rows of one series and statistic, picked with grep.
if (!exists("csv")) csv = 'build/bench/bench.csv'
if (!exists("out")) out = 'build/bench/bench.png'

set terminal pngcairo size 1100,700 font ",10"
set output out
set datafile separator ","
set logscale xy
set grid xtics ytics mxtics mytics
set key inside left top box opaque
set xrange [500:2000000]
set title "wfp-ipsec: latency per call vs existing contexts (QEMU TCG, 2 vCPUs)"
set xlabel "existing contexts (last curve: existing xfrm SAs)"
set ylabel "microseconds per call"
set format x "10^{%L}"

rows(series, stat) = sprintf("< grep '^lat,%s,[0-9]*,%s,' '%s'", series, stat, csv)

plot rows("GetById1", "median") using 3:5 with linespoints lw 2 pt 7 \
	title "GetById1 median (contexts without SPI)", \
     rows("GetById1", "p99") using 3:5 with linespoints dt 2 pt 6 \
	title "GetById1 p99", \
     rows("SetSpi0", "median") using 3:5 with linespoints lw 2 pt 5 \
	title "SetSpi0 median (contexts without SPI)", \
     rows("SetSpi0", "p99") using 3:5 with linespoints dt 2 pt 4 \
	title "SetSpi0 p99", \
     rows("SetSpi0-spi-contexts", "median") using 3:5 with linespoints lw 2 pt 9 \
	title "SetSpi0 median (contexts holding an SPI)", \
     rows("SetSpi0-xfrm-SAs", "median") using 3:5 with linespoints lw 2 pt 11 \
	title "SetSpi0 median (existing xfrm SAs)"
