build-h1san/obj/tce_table.o: src/tce_table.c include/ddwsim/tce.h \
 include/ddwsim/tce_table.h include/ddwsim/sparse.h \
 include/ddwsim/xalloc.h
include/ddwsim/tce.h:
include/ddwsim/tce_table.h:
include/ddwsim/sparse.h:
include/ddwsim/xalloc.h:
