import NeuroLinkCommands

await NLCtl.runFromCommandLine()
