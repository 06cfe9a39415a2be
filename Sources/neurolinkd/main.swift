import NeuroLinkDaemon

DaemonCommand.runFromMainThread()
