from refurb.cli import main

main()
