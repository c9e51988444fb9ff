build-h1san/obj/handles.o: src/handles.c include/ddwsim/handles.h \
 include/ddwsim/dma_api.h include/ddwsim/alloc.h include/ddwsim/sparse.h \
 include/ddwsim/stats.h include/ddwsim/tce.h include/ddwsim/tce_cache.h \
 include/ddwsim/window.h include/ddwsim/tce_table.h \
 include/ddwsim/xalloc.h
include/ddwsim/handles.h:
include/ddwsim/dma_api.h:
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
include/ddwsim/stats.h:
include/ddwsim/tce.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
include/ddwsim/xalloc.h:
