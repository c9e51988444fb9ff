build-h1san/obj/err.o: src/err.c include/ddwsim/err.h
include/ddwsim/err.h:
