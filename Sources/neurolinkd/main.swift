import NeuroLinkDaemon

await DaemonCommand.runFromCommandLine()
