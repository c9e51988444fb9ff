build-h1san/obj/sparse.o: src/sparse.c include/ddwsim/sparse.h \
 include/ddwsim/xalloc.h
include/ddwsim/sparse.h:
include/ddwsim/xalloc.h:
