build-h1san/obj/alloc.o: src/alloc.c include/ddwsim/alloc.h \
 include/ddwsim/sparse.h
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
