build/pipeline.o: src/pipeline.c src/pipeline.h src/errbuf.h src/decode.h \
 src/flow.h src/reasm.h src/http.h src/txn.h src/rules.h src/source.h \
 src/store.h
src/pipeline.h:
src/errbuf.h:
src/decode.h:
src/flow.h:
src/reasm.h:
src/http.h:
src/txn.h:
src/rules.h:
src/source.h:
src/store.h:
