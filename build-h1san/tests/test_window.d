build-h1san/tests/test_window.o: tests/test_window.c \
 include/ddwsim/tce_table.h include/ddwsim/sparse.h \
 include/ddwsim/window.h
include/ddwsim/tce_table.h:
include/ddwsim/sparse.h:
include/ddwsim/window.h:
