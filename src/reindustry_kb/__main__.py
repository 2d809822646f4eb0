from reindustry_kb.cli import main

main()
