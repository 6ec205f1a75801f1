#include "TrafficPage.h"

#include "SessionsModel.h"
#include "TrafficModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace koan::ui {

namespace {
QString describe(const SessionInfo &s)
{
    const QString who = s.clientName.isEmpty() ? s.remote : s.clientName;
    const QString what
        = s.kind == SessionKind::StatelessCaller ? TrafficPage::tr("caller") : QString(transportName(s.transport));
    return QStringLiteral("%1 · %2 · %3").arg(s.id.left(18), what, who);
}
} // namespace

TrafficPage::TrafficPage(ConsoleLink *link, SessionsModel *sessions, QWidget *parent)
    : QWidget(parent), m_link(link), m_sessions(sessions), m_model(new TrafficModel(2000, this)),
      m_targets(new QComboBox(this)), m_record(new QCheckBox(tr("Record"), this)),
      m_recordNew(new QCheckBox(tr("Record new sessions"), this)), m_export(new QPushButton(tr("Export JSON…"), this)),
      m_count(new QLabel(this)), m_view(new QTableView(this)), m_detail(new QPlainTextEdit(this)),
      m_splitter(new QSplitter(Qt::Vertical, this))
{
    m_targets->setObjectName(QStringLiteral("trafficTarget"));
    m_targets->setAccessibleName(tr("Session or caller to record"));
    m_targets->setMinimumContentsLength(40);
    m_targets->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_record->setObjectName(QStringLiteral("trafficRecord"));
    m_record->setAccessibleName(tr("Record this session's wire traffic"));
    m_record->setToolTip(tr("Off by default. The server keeps the last frames of each recorded session in a "
                            "bounded ring; bodies are cut at a bound; secrets are masked."));
    m_recordNew->setObjectName(QStringLiteral("trafficRecordNew"));
    m_recordNew->setAccessibleName(tr("Record every new session from its first request"));
    m_recordNew->setToolTip(tr("Every session opened while this is on records from its first request (a legacy "
                               "stream's endpoint event goes out as it opens)."));
    m_export->setObjectName(QStringLiteral("trafficExport"));
    m_export->setAccessibleName(tr("Export the recording as JSON"));
    m_count->setObjectName(QStringLiteral("trafficCount"));

    m_view->setObjectName(QStringLiteral("trafficView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(TrafficModel::Summary, QHeaderView::Stretch);
    m_view->setWordWrap(false);
    m_view->setAccessibleName(tr("Recorded frames"));
    m_detail->setObjectName(QStringLiteral("trafficDetail"));
    m_detail->setReadOnly(true);
    m_detail->setAccessibleName(tr("Headers and body of the selected frame"));
    m_detail->setPlaceholderText(tr("Select a frame to see its headers and body."));
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_splitter->setObjectName(QStringLiteral("trafficSplitter"));
    m_splitter->addWidget(m_view);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);

    connect(m_targets, &QComboBox::activated, this,
            [this](int index) { selectTarget(m_targets->itemData(index).toString()); });
    connect(m_record, &QCheckBox::clicked, this, [this](bool on) {
        if (!m_target.isEmpty())
            m_link->setTrafficRecording(m_target, on);
    });
    connect(m_recordNew, &QCheckBox::clicked, m_link, &ConsoleLink::setRecordNewSessions);
    connect(m_export, &QPushButton::clicked, this, &TrafficPage::exportWithDialog);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TrafficPage::showDetail);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TrafficPage::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TrafficPage::updateCount);
    m_rebuild.setSingleShot(true);
    m_rebuild.setInterval(300);
    connect(&m_rebuild, &QTimer::timeout, this, &TrafficPage::rebuildTargets);
    const auto later = [this] {
        if (isVisible() && !m_rebuild.isActive())
            m_rebuild.start();
    };
    connect(m_sessions, &QAbstractItemModel::rowsInserted, this, later);
    connect(m_sessions, &QAbstractItemModel::rowsRemoved, this, later);
    connect(m_sessions, &QAbstractItemModel::modelReset, this, later);
    connect(link, &ConsoleLink::trafficExported, this, &TrafficPage::trafficExported);
    connect(link, &ConsoleLink::trafficFrameRecorded, this, &TrafficPage::frameRecorded);
    connect(link, &ConsoleLink::trafficRecordingChanged, this, &TrafficPage::recordingChanged);
    connect(link, &ConsoleLink::recordNewSessionsChanged, this, &TrafficPage::recordNewChanged);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Session:"), this));
    top->addWidget(m_targets, 1);
    top->addWidget(m_record);
    top->addWidget(m_recordNew);
    top->addWidget(m_export);
    top->addWidget(m_count);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_splitter, 1);
    rebuildTargets();
    updateCount();
}

void TrafficPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    rebuildTargets();
}

void TrafficPage::rebuildTargets()
{
    m_targets->blockSignals(true);
    m_targets->clear();
    bool listed = false;
    for (const SessionInfo &s : m_sessions->sessions()) {
        if (s.kind == SessionKind::ListenStream)
            continue; // a listen stream's frames are its caller's
        m_targets->addItem(describe(s), s.id);
        listed = listed || s.id == m_target;
    }
    if (!m_target.isEmpty() && !listed) // ended: its recording stays readable
        m_targets->addItem(tr("%1 · ended").arg(m_target.left(18)), m_target);
    m_targets->setCurrentIndex(m_target.isEmpty() ? -1 : m_targets->findData(m_target));
    m_targets->blockSignals(false);
    m_record->setEnabled(!m_target.isEmpty() && listed);
    m_export->setEnabled(!m_target.isEmpty());
}

void TrafficPage::selectTarget(const QString &id)
{
    m_target = id;
    m_document = {};
    m_model->reset({});
    m_detail->clear();
    m_record->setChecked(false);
    rebuildTargets();
    if (!id.isEmpty())
        m_link->requestTraffic(id);
}

void TrafficPage::trafficExported(const QString &target, const QJsonObject &document)
{
    if (target != m_target)
        return;
    m_document = document;
    QList<QJsonObject> frames;
    for (const QJsonValue &f : document.value(QLatin1String("frames")).toArray())
        frames.append(f.toObject());
    // Frames that arrived live after the export was taken stay.
    const QList<QJsonObject> live = m_model->frames();
    m_model->reset(frames);
    for (const QJsonObject &f : live)
        m_model->append(f);
    m_record->setChecked(document.value(QLatin1String("recording")).toBool());
    if (document.contains(QLatin1String("recordsNewSessions")))
        m_recordNew->setChecked(document.value(QLatin1String("recordsNewSessions")).toBool());
    updateCount();
}

void TrafficPage::frameRecorded(const QString &target, const QJsonObject &frame)
{
    if (target == m_target)
        m_model->append(frame);
}

void TrafficPage::recordingChanged(const QString &target, bool recording)
{
    if (target == m_target)
        m_record->setChecked(recording);
}

void TrafficPage::recordNewChanged(bool on)
{
    m_recordNew->setChecked(on);
}

void TrafficPage::showDetail()
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    m_detail->setPlainText(current.isValid() ? TrafficModel::details(m_model->frame(current.row())) : QString());
}

void TrafficPage::updateCount()
{
    const qint64 dropped = qint64(m_document.value(QLatin1String("dropped")).toDouble());
    QString text = tr("%n frame(s)", nullptr, m_model->rowCount());
    if (dropped > 0)
        text += QStringLiteral(" · ") + tr("%1 older dropped").arg(dropped);
    m_count->setText(text);
}

bool TrafficPage::exportTo(const QString &path, QString *error) const
{
    QJsonObject document = m_document;
    document.insert(QStringLiteral("target"), m_target);
    QJsonArray frames;
    for (const QJsonObject &f : m_model->frames())
        frames.append(f);
    document.insert(QStringLiteral("frames"), frames);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(document).toJson(QJsonDocument::Indented)) < 0
        || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void TrafficPage::exportWithDialog()
{
    if (m_target.isEmpty())
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export wire traffic"), QStringLiteral("traffic-%1.json").arg(m_target.left(18)), tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, &error))
        QMessageBox::warning(this, tr("Export wire traffic"), tr("Could not write %1: %2").arg(path, error));
}

} // namespace koan::ui
