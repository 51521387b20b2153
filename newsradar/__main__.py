from newsradar.cli import main

main()
