from refurb.entry import main

main()
