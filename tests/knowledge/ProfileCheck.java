// OWL 2 RL profile check with the OWL API (Debian's libowlapi-java), run by
// tests/knowledge/test_owl_profile.py as a single-file source program:
//
//   java -cp "OWLAPI-JARS" ProfileCheck.java IRI=FILE ... FILE-TO-CHECK ...
//
// Each IRI=FILE argument maps an ontology IRI to a local file, so that
// owl:imports resolve offline; each other argument is checked with its
// imports closure.  One line per file ("CHECKED<TAB>file<TAB>ontologies in
// the imports closure") and one per violation ("VIOLATION<TAB>file<TAB>kind
// <TAB>text"); the exit code is 0 whether or not there are violations (the
// test reads the lines), 1 when a file cannot be loaded.

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2RLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.SimpleIRIMapper;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        List<String[]> mappings = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0) {
                mappings.add(new String[] {arg.substring(0, eq), arg.substring(eq + 1)});
            } else {
                files.add(arg);
            }
        }
        for (String file : files) {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            for (String[] m : mappings) {
                manager.getIRIMappers().add(new SimpleIRIMapper(IRI.create(m[0]), IRI.create(new File(m[1]))));
            }
            OWLOntology ontology;
            try {
                ontology = manager.loadOntologyFromOntologyDocument(new File(file));
            } catch (Exception error) {
                System.out.println("UNLOADABLE\t" + file + "\t" + error.getMessage().replace('\n', ' '));
                System.exit(1);
                return;
            }
            OWLProfileReport report = new OWL2RLProfile().checkOntology(ontology);
            System.out.println("CHECKED\t" + file + "\t" + ontology.getImportsClosure().size());
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println("VIOLATION\t" + file + "\t" + violation.getClass().getSimpleName() + "\t"
                        + violation.toString().replace('\n', ' ').replace('\t', ' '));
            }
        }
    }
}
