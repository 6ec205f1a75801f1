#pragma once
// Runs a tool through the real dispatcher as the operator: pick a tool, fill the form built
// from its inputSchema, run (and cancel while it runs), see the result; beside the form the raw
// JSON-RPC: the request being built and the last response.
#include "console/ConsoleLink.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace koan::ui {

class SchemaForm;

class InvokePanel : public QWidget
{
    Q_OBJECT
public:
    InvokePanel(ConsoleLink *link, QWidget *parent = nullptr);
    SchemaForm *form() const { return m_form; }
    QComboBox *toolBox() const { return m_tools; }
    QPlainTextEdit *resultView() const { return m_result; }
    QPlainTextEdit *rawView() const { return m_raw; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    bool isRunning() const { return !m_pendingId.isEmpty(); }
    // Selects `tool`, fills its form with `arguments` and runs it (replay of a past call).
    void rerun(const QString &tool, const QJsonObject &arguments);

public slots:
    void setTools(const QList<koan::ToolSnapshot> &tools);
    void run();
    void cancel();
    void showResult(const QString &requestId, const QJsonObject &request, const QJsonObject &response,
                    double durationMs);

private:
    void toolSelected(int index);
    void showRaw(); // the request the form builds now, and the last response

    ConsoleLink *m_link;
    QList<koan::ToolSnapshot> m_toolList;
    QComboBox *m_tools;
    QLabel *m_description;
    SchemaForm *m_form;
    QPushButton *m_run;
    QPushButton *m_cancel;
    QPlainTextEdit *m_result;
    QPlainTextEdit *m_raw;
    QJsonObject m_lastResponse;
    QString m_pendingId;
    int m_nextId = 1;
};

} // namespace koan::ui
