build-h1san/obj/outfile.o: src/outfile.c include/ddwsim/err.h \
 include/ddwsim/outfile.h include/ddwsim/xalloc.h
include/ddwsim/err.h:
include/ddwsim/outfile.h:
include/ddwsim/xalloc.h:
