#include "chiprace/app/commands.hpp"
#include "chiprace/core/exit_code.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    try {
        const chiprace::parallel::MpiSession mpi(argc, argv);
        return chiprace::app::main_with_mpi(argc, argv, mpi);
    } catch (const std::exception& e) {
        std::cerr << "chiprace: error: " << e.what() << '\n';
        return chiprace::exit_code::failure;
    }
}
