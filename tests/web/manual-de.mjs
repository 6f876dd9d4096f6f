// The German page (po/de.po): the translations of the manual's sentences
// and of the page's own texts that wizard-de.spec.mjs checks, copied from
// po/de.po into the test on purpose (not read at run time), as manual.mjs
// copies the English manual: a change of either side shows up here.
// MANUAL_DE mirrors MANUAL of manual.mjs key by key.
import { MANUAL } from './manual.mjs';

export const MANUAL_DE = {
    welcome: [
        "Der Assistent für die Systemmigration ist ein über das Admin-Menü erreichbares Verfahren, mit dem Einstellungen, Daten und Lizenzen kopiert werden. Damit sind nahtlose Übergänge oder Migrationen von einem Virtualisierungssystem auf ein anderes möglich, oder – häufiger – der Umstieg auf ein zeitgemäßeres Subsystem.",
        "Wie in den Verfahrensrichtlinien beschrieben, müssen Server gemäß DSGVO, CCPA, CalOPPA, PIPEDA, LGPD, PDP, ePrivacy usw. zum Schutz der Benutzerdaten stets auf dem aktuellen Stand gehalten werden, nicht nur auf Anwendungsebene, sondern auch durch aktuelle Betriebssysteme mit den neuesten Sicherheitsupdates.",
        "Hardwaresysteme mit den neuesten Subsystemen erhalten Sie bei Ihrem Händler.",
        "Der Vorgang umfasst das Neukonfigurieren, das Tauschen von Konfigurationen und das Kopieren von Daten, auch auf Systemen mit Hochverfügbarkeit und Datenreplikation. Wir empfehlen daher dringend, vor der Migration eine vollständige Datensicherung und auf virtualisierten Systemen möglichst auch einen Snapshot der virtuellen Maschine zu erstellen. Diese Vorsichtsmaßnahme erleichtert die Wiederherstellung des Betriebs, falls während der Migration unvorhergesehene Probleme auftreten, etwa ein Stromausfall, ein versehentlich geschlossener Browser oder eine geschlossene Seite, ein plötzlich ausgeschalteter PC usw.",
        "Die Migration verwendet die TCP/IP-Ports 80, 443 und 3306. Prüfen Sie unbedingt, dass diese Ports zwischen den beiden an der Migration beteiligten Systemen offen sind, bevor Sie fortfahren.",
    ],
    addressLabel: "IP-Adresse des Quellsystems",
    passwordLabel: "Passwort des Admin-Benutzers",
    sourceWarning: "Warnung: Alle lokalen Daten werden gelöscht und überschrieben. Die Kopie erfolgt über Port 3306; stellen Sie sicher, dass er offen ist.",
    addressHelp: "Geben Sie die IP-Adresse des Quellsystems an, von dem die Daten kopiert werden sollen.",
    passwordHelp: "Aus Sicherheitsgründen müssen Sie das Passwort des Admin-Benutzers eingeben. Es wird einmal zur Anmeldung am Quellsystem verwendet und nicht gespeichert.",
    infoLabels: ["Lizenz-GUID", "Hostname", "Domänenname", "IP-Adresse", "Serverrolle"],
    standalone: "Das System ist ein Einzelsystem",
    ha: "Das System wird in Hochverfügbarkeit betrieben",
    dnsIntro: "Damit keine Störungen entstehen, wird empfohlen, die DNS-Konfiguration vor dem Fortfahren wie folgt zu ändern:",
    dnsPoints: (domain, to, from) => `– Die Domäne ${domain} verweist auf die IP-Adresse ${to} und nicht mehr auf ${from}.`,
    dnsNoLonger: (address, lb) => `– Die IP-Adresse ${address} ist für die Domäne ${lb} nicht mehr eingetragen.`,
    dnsOutro: "Bitte warten Sie die Verbreitungszeit der DNS-Änderungen ab, bevor Sie mit dem nächsten Schritt fortfahren.",
    options: {
        "Konfiguration tauschen": "Wenn aktiviert, wird die Konfiguration der ‚Systemeinstellungen‘ zwischen den beiden beteiligten Systemen getauscht. Wenn deaktiviert, werden ausschließlich die grundlegenden Einstellungen vom Quellsystem auf das aktuelle System kopiert; ausgenommen sind dabei die Parameter zu: Netzwerk, DNS, Webserver, Round-Robin-Host, Lastverteilungsdomäne, Senden oder Empfangen von Daten von einem entfernten System, FTP für die Datensicherung.",
        "Lizenz migrieren": "Wenn aktiviert, wird die Lizenz vom Quellsystem auf das aktuelle System übertragen und gleichzeitig im Quellsystem ungültig gemacht. Die Option kann nur aktiviert werden, wenn das aktuelle System keine Lizenz hat und das Quellsystem zugleich über einen aktiven Wartungsvertrag verfügt.",
        "Protokolle des Benutzerverkehrs kopieren": "Wenn aktiviert, werden die Dateien mit den Protokollen des Benutzerverkehrs kopiert.",
    },
    confirmWarning: "Warnung! Bitte beachten Sie, dass der Vorgang unumkehrbar ist und nach dem Start nicht unterbrochen werden kann. Schließen Sie während dieser kritischen Phase nicht die Seite, unterbrechen Sie den Vorgang nicht und schalten Sie den Computer nicht aus.",
    execute: "Ausführen",
    estimateNote: "Die angegebene geschätzte Dauer kann abweichen und entspricht nicht unbedingt der tatsächlichen Dauer. Die Genauigkeit der Schätzung hängt stark von der Geschwindigkeit der Lese- und Schreibvorgänge auf den Datenträgern ab.",
    operations: {
        'copy-settings': "Kopiert die Systemeinstellungen.",
        'source-maintenance': "Versetzt das Quellsystem in den Wartungsmodus.",
        'deactivate-replica': "Deaktiviert die Replikation im Quellsystem; wird ausschließlich bei Hochverfügbarkeit ausgeführt.",
        'copy-data': "Kopiert die Daten.",
        'modify-source': "Ändert die Konfiguration des Quellsystems.",
        reboot: "Startet das aktuelle System und das Quellsystem nur dann neu, wenn das Kontrollkästchen „Konfiguration tauschen“ aktiviert ist.",
        'copy-data-activate-replica': "Kopiert die Daten und aktiviert die Replikation.",
        'update-certificates': "Aktualisiert die Zertifikate.",
        'restart-services': "Startet die Dienste neu.",
        'copy-syslog': "Kopiert die Syslog-Daten.",
        final: "Abschließende Vorgänge.",
    },
    operationDetails: {
        'source-maintenance': "Bei Systemen mit Hochverfügbarkeit werden die ‚Round-Robin-Hosts‘ vorübergehend vom „Master“ des Quellsystems entfernt.",
        'copy-data': "Wird nur ausgeführt, wenn das Quellsystem nicht in Hochverfügbarkeit betrieben wird.",
        'copy-data-activate-replica': "Der Vorgang wird ausschließlich ausgeführt, wenn das Quellsystem in Hochverfügbarkeit betrieben wird.",
        'copy-syslog': "Wird nur ausgeführt, wenn das Kontrollkästchen „Protokolle des Benutzerverkehrs kopieren“ aktiviert ist.",
        final: "Bei Systemen mit Hochverfügbarkeit werden die ‚Round-Robin-Hosts‘ auf dem „Master“ des Quellsystems wiederhergestellt.",
    },
    congratulations: "Herzlichen Glückwunsch! Die Migration wurde erfolgreich abgeschlossen",
    success: "Die Einrichtung war erfolgreich!",
    revertIntro: "Falls Sie die DNS-Konfiguration geändert haben, passen Sie sie jetzt bitte wie folgt an:",
    revertDomain: (domain, address) => `– Die Domäne ${domain} wird mit der IP-Adresse ${address} aufgelöst.`,
    revertLb: (lb, address) => `– Die Domäne ${lb} wird ebenfalls mit der IP-Adresse ${address} aufgelöst.`,
    closeText: "Wenn Sie auf „Schließen“ klicken, wird der Assistent beendet und die Anmeldeseite des vorgesehenen Zielsystems geöffnet.",
    close: "Schließen",
};

// The page's own texts (lib.mjs TEXT) in German.
export const TEXT_DE = {
    confirmText: (source, options) => `Klicken Sie auf „Ausführen“, um die Migration von ${source} mit diesen Optionen zu starten: ${options}.`,
    steps: ["Willkommen", "Quelle", "Quellinformationen", "Optionen", "Bestätigung", "Ausführung", "Ergebnis"],
    next: "Weiter",
    wrongPassword: "Falsches Admin-Passwort",
    notRun: "Mit diesen Optionen nicht ausgeführt:",
    sourceStays: "Das Quellsystem bleibt im Wartungsmodus, seine Dienste sind beendet und maskiert, damit die beiden Systeme nie dieselben Benutzer bedienen; seine Daten sind unverändert.",
    undo: "Um die Migration rückgängig zu machen",
    // ferryd's reason (daemon/core/options.cpp), translated by the page.
    // ferry's own operation (web/src/job-view.js), its name in po/de.po.
    preCopy: "Kopiert Daten, während das Quellsystem noch in Betrieb ist.",
    // The unavailable window (web/src/outage.js).
    outagePlanned: "Nichtverfügbarkeit: Gäste können sich etwa ",
    outageOver: "Gäste können sich wieder anmelden:",
    // The pre-flight checks' titles: ferryd's N_() sentences
    // (core/preflight.cpp, engine.cpp), translated by the page.
    checkTitles: {
        space: "Freier Speicherplatz auf diesem System",
        "mariadb-version": "MariaDB-Versionen",
        "peer-protocol": "Peer-Protokoll",
        clock: "Uhrzeitabweichung",
        services: "Dienste dieses Systems",
        definitions: "Objektdefinitionen",
        estimate: "Zeitschätzung",
        outage: "Nicht verfügbare Zeit",
    },
    // ferryd's detail of each operation in the plan (N_() sentences in
    // core/plan.cpp), for this run's options (no Swap, license, logs,
    // standalone, the copy while the source serves), and the conditions
    // of those not run.
    planDetails: {
        "pre-copy-data": "Kopiert einen konsistenten Schnappschuss der Datenbanken des Quellsystems, während es noch in Betrieb ist, prüft jede Tabelle und folgt den späteren Änderungen des Quellsystems als dessen vorübergehendes Replikat. Kopiert auch die Dateien der Benutzerverkehrsprotokolle: Vorgang 10 holt dann nur, was sich seitdem geändert hat.",
        "copy-settings": "Kopiert die grundlegenden Systemeinstellungen; Netzwerk, DNS, Webserver, Round-Robin-Hosts, Lastverteilungsdomäne, Datenaustausch mit entfernten Systemen und FTP-Datensicherung bleiben unverändert.",
        "source-maintenance": "Versetzt das Quellsystem in den Wartungsmodus.",
        "copy-data": "Übernimmt, was sich seit der Kopie auf dem Quellsystem geändert hat, hält das vorübergehende Replikat an, entfernt es und prüft jede seit dem Schnappschuss geschriebene Tabelle.",
        "modify-source": "Belässt das Quellsystem im Wartungsmodus mit angehaltenen Diensten für die Benutzer und vermerkt die Migration auf dem Quellsystem.",
        "update-certificates": "Installiert die Zertifikate des Quellsystems.",
        "restart-services": "Startet die Dienste dieses Systems neu.",
        "copy-syslog": "Kopiert und prüft die Dateien der Benutzerverkehrsprotokolle.",
        final: "Entfernt vorübergehende Konten und Token; überträgt die Lizenz auf dieses System und macht sie auf dem Quellsystem ungültig.",
    },
    notRunConditions: ["(nur bei Hochverfügbarkeit)", "(nur mit „Konfiguration tauschen“)"],
    swapReasonHa: "Das Quellsystem wird in Hochverfügbarkeit betrieben: Der Replikationsring spricht jeden Knoten über seine IP-Adresse an, daher muss dieses System die Konfiguration des Quellsystems übernehmen.",
};

// English sentences that must not be on the German page (the translation
// is really applied, not only present).
export const ENGLISH = [MANUAL.welcome[0], MANUAL.sourceWarning, MANUAL.confirmWarning, MANUAL.estimateNote, MANUAL.success,
    MANUAL.ha, MANUAL.dnsIntro, MANUAL.dnsOutro, MANUAL.revertIntro,
    // the page's own sentences that were once left untranslated
    'Press the ‘Execute’ button', 'Ports 80 and 443 of the source are checked as well.', 'for the source\'s migration service',
    'Unavailable time: guests', 'Guests can log in again',
    // ferryd's plan details (core/plan.cpp), once shown in English
    'Copy a consistent snapshot', 'Put the source under maintenance', 'Remove temporary accounts', 'HA only'];

// One check that none of ENGLISH is left in `text` (the innerText of a step
// shown in German).
export function checkNoEnglish(check, where, text) {
    const flat = text.replace(/\s+/g, ' ');
    const left = ENGLISH.filter(s => flat.includes(s));
    check(`${where}: no English manual sentence left (${left.length}${left.length ? ': ' + left.map(s => s.slice(0, 40)).join('; ') : ''})`, left.length === 0);
}
