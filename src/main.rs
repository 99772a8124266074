fn main() -> std::process::ExitCode {
    envparity::cli::main()
}
