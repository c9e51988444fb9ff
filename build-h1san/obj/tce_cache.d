build-h1san/obj/tce_cache.o: src/tce_cache.c include/ddwsim/rng.h \
 include/ddwsim/tce_cache.h include/ddwsim/xalloc.h
include/ddwsim/rng.h:
include/ddwsim/tce_cache.h:
include/ddwsim/xalloc.h:
