// doctest under MPI: every rank runs every test case; the process fails if any rank failed.
// (Debian's doctest lacks the MPI extension header; this is the small equivalent.)
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <mpi.h>

int main(int argc, char** argv) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    doctest::Context context(argc, argv);
    if (rank != 0)
        context.setOption("out", "/dev/null"); // one report, from rank 0
    int failed = context.run() != 0 ? 1 : 0;
    int any_failed = 0;
    MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (failed && rank != 0)
        std::fprintf(stderr, "rank %d: test failures (run this rank alone to see them)\n", rank);
    MPI_Finalize();
    return any_failed;
}
