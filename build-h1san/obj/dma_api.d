build-h1san/obj/dma_api.o: src/dma_api.c include/ddwsim/dma_api.h \
 include/ddwsim/alloc.h include/ddwsim/sparse.h include/ddwsim/stats.h \
 include/ddwsim/tce.h include/ddwsim/tce_cache.h include/ddwsim/window.h \
 include/ddwsim/tce_table.h
include/ddwsim/dma_api.h:
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
include/ddwsim/stats.h:
include/ddwsim/tce.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
