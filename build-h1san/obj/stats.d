build-h1san/obj/stats.o: src/stats.c include/ddwsim/stats.h
include/ddwsim/stats.h:
