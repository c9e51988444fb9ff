# Shared settings for the figures: read results/*.csv (one row per point and
# mode, dotted column names) and write PNG and SVG.
set datafile separator ','
set datafile columnheaders
set grid
set key inside top left box
# Sizes as the sweeps write them ("512", "4K", "2M") to bytes.
bytes(s) = (s[strlen(s):strlen(s)] eq "K") ? real(s[1:strlen(s)-1]) * 1024 : \
	   (s[strlen(s):strlen(s)] eq "M") ? real(s[1:strlen(s)-1]) * 1048576 : \
	   (s[strlen(s):strlen(s)] eq "G") ? real(s[1:strlen(s)-1]) * 1073741824 : real(s)
# out(name, fmt): set the terminal and output for plots/<name>.<fmt>
