fn main() {
    std::process::exit(avtale::cli::main());
}
