build/main.o: src/main.c /usr/share/include/llhttp/llhttp.h \
 src/pipeline.h src/errbuf.h src/rules.h src/txn.h
/usr/share/include/llhttp/llhttp.h:
src/pipeline.h:
src/errbuf.h:
src/rules.h:
src/txn.h:
