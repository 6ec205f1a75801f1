#include "MainWindow.h"

#include "McpServer.h"
#include "ToolsModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>

namespace koan::ui {

MainWindow::MainWindow(McpServer *server, QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Koan MCP console"));
    auto *tabs = new QTabWidget(this);
    auto *tools = new QTableView(tabs);
    tools->setModel(new ToolsModel(server->registry(), tools));
    tools->horizontalHeader()->setStretchLastSection(true);
    tools->setSortingEnabled(false);
    tabs->addTab(tools, tr("Tools"));
    setCentralWidget(tabs);
    const auto &o = server->options();
    statusBar()->addWidget(new QLabel(tr("Environment: %1 | Authentication: %2")
                                          .arg(o.environment, o.effectiveRequireAuthentication() ? tr("required") : tr("off")),
                                      this));
    resize(1000, 640);
}

} // namespace koan::ui
