from betacontent.cli.main import main

main()
