#pragma once
// The Wire traffic page: pick a session (or a 2026-07-28 caller), switch its recording on, and read
// what crossed the wire: HTTP requests and responses, SSE frames, keep-alives, priming and replayed
// events, with time and direction; a frame's headers (secrets masked by the server) and body in
// the detail pane; Export JSON… writes the recording to a file. Recording is off by default.
#include "console/ConsoleLink.h"

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QTableView;

namespace koan::ui {

class SessionsModel;
class TrafficModel;

class TrafficPage : public QWidget
{
    Q_OBJECT
public:
    TrafficPage(ConsoleLink *link, SessionsModel *sessions, QWidget *parent = nullptr);

    TrafficModel *model() const { return m_model; }
    QComboBox *targets() const { return m_targets; }
    QCheckBox *recordToggle() const { return m_record; }
    QCheckBox *recordNewToggle() const { return m_recordNew; }
    QTableView *view() const { return m_view; }
    QPlainTextEdit *detail() const { return m_detail; }
    QString target() const { return m_target; }
    // Shows `id`'s recording (asks the server for it); an id the list does not hold is added.
    void selectTarget(const QString &id);
    // Writes the shown recording as JSON (the server's export, with the frames received since); false with *error.
    bool exportTo(const QString &path, QString *error = nullptr) const;

public slots:
    void trafficExported(const QString &target, const QJsonObject &document);
    void frameRecorded(const QString &target, const QJsonObject &frame);
    void recordingChanged(const QString &target, bool recording);
    void recordNewChanged(bool on);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void rebuildTargets();
    void showDetail();
    void updateCount();
    void exportWithDialog();

    ConsoleLink *m_link;
    SessionsModel *m_sessions;
    TrafficModel *m_model;
    QComboBox *m_targets;
    QCheckBox *m_record;
    QCheckBox *m_recordNew;
    QPushButton *m_export;
    QLabel *m_count;
    QTableView *m_view;
    QPlainTextEdit *m_detail;
    QSplitter *m_splitter;
    QString m_target;
    QJsonObject m_document; // the last export of m_target
    QTimer m_rebuild;       // the session list changes often: rebuilt at most every 300 ms, while shown
};

} // namespace koan::ui
