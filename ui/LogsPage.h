#pragma once
// The Logs page: the server's log records live, with a minimum level and a text search over
// category, session and message.
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace koan::ui {

class LogsModel;
class LogsFilter;

class LogsPage : public QWidget
{
    Q_OBJECT
public:
    explicit LogsPage(LogsModel *model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QComboBox *levelFilter() const { return m_level; }
    QLineEdit *search() const { return m_search; }
    int visibleRows() const;

private:
    void updateCount();

    LogsModel *m_model;
    LogsFilter *m_filter;
    QComboBox *m_level;
    QLineEdit *m_search;
    QLabel *m_count;
    QTableView *m_view;
};

} // namespace koan::ui
