build-h1san/obj/config.o: src/config.c include/ddwsim/config.h \
 include/ddwsim/dma_api.h include/ddwsim/alloc.h include/ddwsim/sparse.h \
 include/ddwsim/stats.h include/ddwsim/tce.h include/ddwsim/tce_cache.h \
 include/ddwsim/window.h include/ddwsim/tce_table.h include/ddwsim/err.h \
 include/ddwsim/synth.h include/ddwsim/workload.h include/ddwsim/xalloc.h \
 src/config_schema.h
include/ddwsim/config.h:
include/ddwsim/dma_api.h:
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
include/ddwsim/stats.h:
include/ddwsim/tce.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
include/ddwsim/err.h:
include/ddwsim/synth.h:
include/ddwsim/workload.h:
include/ddwsim/xalloc.h:
src/config_schema.h:
