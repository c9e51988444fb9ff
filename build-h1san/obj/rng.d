build-h1san/obj/rng.o: src/rng.c include/ddwsim/rng.h
include/ddwsim/rng.h:
