build-h1san/obj/sim.o: src/sim.c include/ddwsim/dma_api.h \
 include/ddwsim/alloc.h include/ddwsim/sparse.h include/ddwsim/stats.h \
 include/ddwsim/tce.h include/ddwsim/tce_cache.h include/ddwsim/window.h \
 include/ddwsim/tce_table.h include/ddwsim/err.h include/ddwsim/handles.h \
 include/ddwsim/phb.h include/ddwsim/sim.h include/ddwsim/config.h \
 include/ddwsim/synth.h include/ddwsim/workload.h include/ddwsim/xalloc.h
include/ddwsim/dma_api.h:
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
include/ddwsim/stats.h:
include/ddwsim/tce.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
include/ddwsim/err.h:
include/ddwsim/handles.h:
include/ddwsim/phb.h:
include/ddwsim/sim.h:
include/ddwsim/config.h:
include/ddwsim/synth.h:
include/ddwsim/workload.h:
include/ddwsim/xalloc.h:
