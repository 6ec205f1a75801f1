#pragma once
#include <QMainWindow>

namespace koan {
class McpServer;
namespace ui {

// The admin console's main window.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(McpServer *server, QWidget *parent = nullptr);
};

} // namespace ui
} // namespace koan
