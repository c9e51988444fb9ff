build-h1san/obj/report.o: src/report.c include/ddwsim/report.h \
 include/ddwsim/config.h include/ddwsim/dma_api.h include/ddwsim/alloc.h \
 include/ddwsim/sparse.h include/ddwsim/stats.h include/ddwsim/tce.h \
 include/ddwsim/tce_cache.h include/ddwsim/window.h \
 include/ddwsim/tce_table.h include/ddwsim/sim.h
include/ddwsim/report.h:
include/ddwsim/config.h:
include/ddwsim/dma_api.h:
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
include/ddwsim/stats.h:
include/ddwsim/tce.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
include/ddwsim/sim.h:
