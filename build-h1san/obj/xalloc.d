build-h1san/obj/xalloc.o: src/xalloc.c include/ddwsim/xalloc.h
include/ddwsim/xalloc.h:
