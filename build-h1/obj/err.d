build-h1/obj/err.o: src/err.c include/ddwsim/err.h
include/ddwsim/err.h:
