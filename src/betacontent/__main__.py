from betacontent.cli import main

main()
