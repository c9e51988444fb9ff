build-h1san/obj/window.o: src/window.c include/ddwsim/window.h \
 include/ddwsim/tce_table.h include/ddwsim/sparse.h
include/ddwsim/window.h:
include/ddwsim/tce_table.h:
include/ddwsim/sparse.h:
