build-h1/obj/xalloc.o: src/xalloc.c include/ddwsim/xalloc.h
include/ddwsim/xalloc.h:
