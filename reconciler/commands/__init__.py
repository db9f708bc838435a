"""One module per subcommand; `reconciler.cli.COMMANDS` lists them and loads each on use."""
