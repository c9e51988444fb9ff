build-h1san/obj/config_schema.o: src/config_schema.c \
 include/ddwsim/config.h include/ddwsim/dma_api.h include/ddwsim/alloc.h \
 include/ddwsim/sparse.h include/ddwsim/stats.h include/ddwsim/tce.h \
 include/ddwsim/tce_cache.h include/ddwsim/window.h \
 include/ddwsim/tce_table.h src/config_schema.h
include/ddwsim/config.h:
include/ddwsim/dma_api.h:
include/ddwsim/alloc.h:
include/ddwsim/sparse.h:
include/ddwsim/stats.h:
include/ddwsim/tce.h:
include/ddwsim/tce_cache.h:
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
src/config_schema.h:
