build-h1san/obj/phb.o: src/phb.c include/ddwsim/phb.h \
 include/ddwsim/stats.h include/ddwsim/tce_cache.h \
 include/ddwsim/window.h include/ddwsim/tce_table.h \
 include/ddwsim/sparse.h include/ddwsim/tce.h
include/ddwsim/phb.h:
include/ddwsim/stats.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
include/ddwsim/sparse.h:
include/ddwsim/tce.h:
